// Command etcdeck is a terminal administration console for etcd.
package main

func main() {}
