"""Reading what the bank says arrived: Bankgirot's BgMax files, Swish reports and the teams'
payment references. Parsing only; matching rows to ledger entries lives elsewhere."""
