"""Image I/O, tensor layouts, parse-label tables, masks and network inputs."""
