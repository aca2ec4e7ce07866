"""backcoach: AI-guided home exercise therapy for chronic low back pain."""

__version__ = "0.1.0"
