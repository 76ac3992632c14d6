"""What the service shows people in a browser: pages, templates and the front-end assets they use."""
