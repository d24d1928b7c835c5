w = 3
print derivative(w, 1)
