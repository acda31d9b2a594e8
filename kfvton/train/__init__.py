"""Training KF-VTON: datasets (`datasets`), losses (`losses`), configs (`config`), the trainer (`trainer`) and
evaluation (`evaluate`); `python -m kfvton train` / `evaluate` drive them. Importing this package does no work."""
