//! Conversion between CSV / JSON objects / NDJSON and XConnector bodies (being built).
