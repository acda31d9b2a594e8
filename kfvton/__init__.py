"""KF-VTON virtual try-on: geometry, keypoints, networks, pipelines and training, without ComfyUI.

Importing this package does no work: submodules are imported where they are used.
"""

__version__ = "0.1.0"
