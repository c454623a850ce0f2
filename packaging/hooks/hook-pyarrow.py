"""pyarrow in the executable: its CSV reader and compute kernels, as the app uses them
(desktop.core.importers.csv_arrow).

The contrib hook collects every submodule and every shared library of the wheel (Flight,
S3, Parquet encryption, C++ headers, Cython sources: 170 MB). This one names the modules
a CSV import loads (pyarrow.lib, a Cython module, imports some of them where PyInstaller
cannot see) and lets the dependency analysis collect the libraries they need: libarrow,
its compute, acero, dataset and substrait libraries and libparquet (lib.so links them
all). tests/packaging/test_standalone.py imports a CSV with the executables.
"""
hiddenimports = [
    "pyarrow.lib", "pyarrow._compute", "pyarrow._csv", "pyarrow._generated_version",
    "pyarrow.csv", "pyarrow.ipc", "pyarrow.types", "pyarrow.util",
]
