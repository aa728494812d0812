package main

import "errors"

// runUI is replaced by the tui package's program once it lands.
func runUI(s *session) error { return errors.New("the console UI is not built yet") }
