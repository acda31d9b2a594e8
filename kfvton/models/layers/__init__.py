"""Building blocks shared by the KF-VTON networks."""
