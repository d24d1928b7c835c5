# Tries to write a file next to the grader, and over the exercise.
L.grad = 1
dot L > "pwned.dot"
dot L > "exercises/backprop.mg"
