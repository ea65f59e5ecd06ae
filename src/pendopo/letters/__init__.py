"""Village services (Smart Kampung): letter types, requests, gap-free numbering, signing, the
PDF with its QR code, public verification. May import core and population; aid only through
its selectors."""
