"""What the server sends to browsers: the static pages and the widget script."""
