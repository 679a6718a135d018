"""The call center's rules (pure): inquiries and their lifecycle, phone numbers, answer deadlines, answers at hand."""
