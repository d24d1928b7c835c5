fn g(xs) { s = 0
for x in xs { if x < 0 { continue }
s = s + x * x }
return s }
print g([1, -2, 3]), [g([k, -k, k]) for k in 0..4]
