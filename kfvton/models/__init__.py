"""KF-VTON networks: one file per network, shared blocks in `layers/`, names in `registry`.

Importing this package does no work; import the network modules (or `registry`) where they are used.
"""
