k = 3
print "step " + k
