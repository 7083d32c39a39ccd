"""The demo store's catalog and retailer data (JSON), read as package resources."""
