"""Database layer: declarative models, column types and engine set-up."""
