"""Protocol front-ends: each translates its family's wire format to service calls and back."""
