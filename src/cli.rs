//! Command line (placeholder while the books compile).
