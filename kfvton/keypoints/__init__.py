"""Keypoints: person pose, garment landmarks, their correspondences, and format conversions."""
