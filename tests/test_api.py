"""The public API is in one place: every name in ``newscorpus.__all__`` exists, the list is
sorted, and the version comes from the installed package."""

from importlib import metadata

import newscorpus


def test_all_is_sorted_and_complete():
    assert newscorpus.__all__ == sorted(newscorpus.__all__)
    for name in newscorpus.__all__:
        assert getattr(newscorpus, name) is not None
    for needed in ("build", "Corpus", "Settings", "iter_documents", "ContainerError"):
        assert needed in newscorpus.__all__


def test_version_is_the_package_version():
    assert newscorpus.__version__ == metadata.version("newscorpus")
