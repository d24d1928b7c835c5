# the range bound is a whole number, but past 2^53
for k in 0..2**53 + 2 { print k }
