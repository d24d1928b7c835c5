# tanh written through exp (the lecture's second neuron): the same values and the
# same gradients as tanh, which is forbidden here. The grader takes the derivative
# of the student's function by autograd: derivative is allowed in questions.

exercise "tanh through exp"

forbid tanh, grad, backward, check, explain, derivative

reference {
  fn my_tanh(x) = tanh(x)
}

question "tanh(x)" my_tanh(x) for x in [-3, -0.5, 0, 0.8813735870195432, 2] points=2 tol=1e-9
question "tanh'(x), by autograd through your function" derivative(my_tanh, x) for x in [-3, -0.5, 0, 0.8813735870195432, 2] points=2 tol=1e-9
