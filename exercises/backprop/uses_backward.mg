# Lets autograd do the work: forbidden.
backward L
