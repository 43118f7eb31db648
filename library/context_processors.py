from library.models import Gif


def review_queue(request):
    """The queue's size for the navigation, for those who review."""
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("library.review_gif"):
        return {}
    return {"review_queue_count": Gif.objects.review_queue_for(user).count()}
