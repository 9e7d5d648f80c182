"""The cluster's real configuration, read from files: the other side of ``netarch drift``.

``reader`` turns files and folders (multi-document YAML, ``List`` objects, JSON, the output of
``kubectl get -o yaml|json``, ``helm template`` and ``kustomize build``, Talos machine
configuration and its patches, kubeadm, k3s/RKE2 and kube-proxy configuration files) into
:class:`~netarch.cluster.objects.ConfigObject` values, each with the file and line of every
field, keeping only the kinds that a reader asked for. Secrets are skipped unread.

This layer knows nothing of the model, the checks or MkDocs: it sits beside ``model`` at the
bottom of the pipeline.
"""
