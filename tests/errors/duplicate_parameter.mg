fn area(w, h, w) = w * h
