"""KF-VTON weights: .safetensors with metadata, conversion of the authors' files, ONNX export."""
