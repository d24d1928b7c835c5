# a Latin-1 comment is let through: café
x = 1
print "naïve"
