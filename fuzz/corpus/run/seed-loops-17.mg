s = ""
for k in 0..4 { s = s + f"{k}:{k * k:>4}|" }
print s, len(s)
