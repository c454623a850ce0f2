"""The map's layers (the `map_layer` plugin contributions of desktop.builtin_plugins) and
what they share: the layer protocol (`base`), label placement (`labels`) and numpy-to-Qt
drawing (`painting`)."""
