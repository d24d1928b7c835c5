# sqrt has no finite derivative at 0.
print derivative(sqrt, 0)
