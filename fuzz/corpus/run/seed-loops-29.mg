for k in 0..3 { k = k * 10
print k }
print k
