L.grad = 1
xs = [1]
while true { xs = xs + xs }
