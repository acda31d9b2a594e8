"""End-to-end try-on pipelines: classical (no weights) and learned (KF-VTON networks)."""
