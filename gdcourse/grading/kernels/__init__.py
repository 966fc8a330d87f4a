"""The kernels that run students' code: the bubblewrap sandbox, its launcher, and the warm fork
server whose kernels start in milliseconds in namespaces of their own. The launcher, the fork
server and the namespaces use the standard library only: they run inside the sandbox."""
