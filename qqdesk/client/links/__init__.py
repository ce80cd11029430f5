"""Links: one per protocol family, each speaking its wire and handing out core values."""
