xs = []
for k in 0..3000 { xs = [xs] }
zero_grad xs
print xs
