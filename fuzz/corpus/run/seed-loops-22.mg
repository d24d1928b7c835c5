fn count(n) { c = 0
while c < n { c += 1 }
return c }
print count(5), [count(k) for k in 0..4]
