package embednode

// HumanLine exposes humanLine to the tests.
var HumanLine = humanLine

// Printable exposes printable to the tests.
var Printable = printable

// KVKeyLease exposes kvKeyLease to the tests.
var KVKeyLease = kvKeyLease

// GroupOf exposes groupOf to the tests.
var GroupOf = groupOf

// ReadyTimeout exposes readyTimeout to the tests.
var ReadyTimeout = readyTimeout
