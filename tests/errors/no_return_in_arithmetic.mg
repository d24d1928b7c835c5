fn area(w, h) {
  a = w * h
}
total = area(2, 3) + 1
