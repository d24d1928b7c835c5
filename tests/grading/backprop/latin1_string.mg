L.grad = 1
d.grad = -2 # fine: é in a comment
f.grad = 4
print "café"
