"""Reports for the styrgrupp and the förbund: nyckeltal with targets, period reports,
small-number suppression, exports (CSV, XLSX, PDF) and the Uppföljning Finsam list."""
