"""The HTTP service: FastAPI routers over a GraphStore."""
