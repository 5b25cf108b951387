"""The registry service: the only component that talks to etcd."""
