"""Registry: the IKM register, owners (personal data), products, sentra, regions, users and tokens,
and each IKM's status timeline folded from curation and exhibition events."""
