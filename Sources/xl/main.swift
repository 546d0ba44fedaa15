print("xl")
