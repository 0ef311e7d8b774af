//! Renderers: a request or response body as terminal tables, markdown, CSV or JSON (being built).
