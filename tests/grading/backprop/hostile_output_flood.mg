L.grad = 1
while true { print "all work and no play makes a dull gradient" }
