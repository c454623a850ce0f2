import os


def pytest_benchmark_update_machine_info(config, machine_info):
    """The load average beside the figures: this machine is often shared, and a busy run
    reads slower (tests/benchmarks/report.py prints it)."""
    machine_info["load_average"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
