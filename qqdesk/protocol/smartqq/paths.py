"""Every path of the Smart QQ channel (SMARTQQ-NOTES §1.1): paths are unique across its
hosts, so a server routes on the path alone, whatever the Host header says."""

from __future__ import annotations

import enum


class Call(enum.Enum):
    """One call of the channel, named after its path's last part."""

    LOGIN_PAGE = "login page"
    QR_SHOW = "ptqrshow"
    QR_LOGIN = "ptqrlogin"
    PASSWORD_CHECK = "check"
    CHECK_SIG = "check_sig"
    PROXY_PAGE = "proxy.html"
    PT_LOGOUT = "logout"
    PING = "pingd"
    GET_VFWEBQQ = "getvfwebqq"
    GET_USER_FRIENDS = "get_user_friends2"
    GET_GROUP_LIST = "get_group_name_list_mask2"
    GET_DISCUSSION_LIST = "get_discus_list"
    GET_GROUP_INFO = "get_group_info_ext2"
    GET_SELF_INFO = "get_self_info2"
    GET_FRIEND_INFO = "get_friend_info2"
    GET_LONG_NICK = "get_single_long_nick2"
    GET_FRIEND_UIN = "get_friend_uin2"
    LOGIN2 = "login2"
    POLL2 = "poll2"
    SEND_BUDDY = "send_buddy_msg2"
    SEND_GROUP = "send_qun_msg2"
    SEND_DISCUSSION = "send_discu_msg2"
    GET_ONLINE_BUDDIES = "get_online_buddies2"
    GET_RECENT_LIST = "get_recent_list2"
    GET_DISCUSSION_INFO = "get_discu_info"
    CHANGE_STATUS = "change_status2"
    LOGOUT2 = "logout2"
    GET_SESSION_SIG = "get_c2cmsg_sig2"
    SEND_SESSION = "send_sess_msg2"


#: Path -> call. Every path takes GET and POST (§1.2).
PATHS: dict[str, Call] = {
    "/cgi-bin/login": Call.LOGIN_PAGE,
    "/cgi-bin/xlogin": Call.LOGIN_PAGE,
    "/ptqrshow": Call.QR_SHOW,
    "/ptqrlogin": Call.QR_LOGIN,
    "/check": Call.PASSWORD_CHECK,
    "/check_sig": Call.CHECK_SIG,
    "/proxy.html": Call.PROXY_PAGE,
    "/cfproxy.html": Call.PROXY_PAGE,
    "/logout": Call.PT_LOGOUT,
    "/pingd": Call.PING,
    "/api/getvfwebqq": Call.GET_VFWEBQQ,
    "/api/get_user_friends2": Call.GET_USER_FRIENDS,
    "/api/get_group_name_list_mask2": Call.GET_GROUP_LIST,
    "/api/get_discus_list": Call.GET_DISCUSSION_LIST,
    "/api/get_group_info_ext2": Call.GET_GROUP_INFO,
    "/api/get_self_info2": Call.GET_SELF_INFO,
    "/api/get_friend_info2": Call.GET_FRIEND_INFO,
    "/api/get_single_long_nick2": Call.GET_LONG_NICK,
    "/api/get_friend_uin2": Call.GET_FRIEND_UIN,
    "/channel/login2": Call.LOGIN2,
    "/channel/poll2": Call.POLL2,
    "/channel/send_buddy_msg2": Call.SEND_BUDDY,
    "/channel/send_qun_msg2": Call.SEND_GROUP,
    "/channel/send_discu_msg2": Call.SEND_DISCUSSION,
    "/channel/get_online_buddies2": Call.GET_ONLINE_BUDDIES,
    "/channel/get_recent_list2": Call.GET_RECENT_LIST,
    "/channel/get_discu_info": Call.GET_DISCUSSION_INFO,
    "/channel/change_status2": Call.CHANGE_STATUS,
    "/channel/logout2": Call.LOGOUT2,
    "/channel/get_c2cmsg_sig2": Call.GET_SESSION_SIG,
    "/channel/send_sess_msg2": Call.SEND_SESSION,
}

#: ``GET /`` (MW fetches w.qq.com/) is the web channel's; ``POST /`` stays the
#: classic protocol's, whose clients post to any target.
GET_ONLY_PATHS: dict[str, Call] = {"/": Call.PROXY_PAGE}


def call_for(method: str, path: str) -> Call | None:
    """The web call a request line names; None when it belongs to the classic protocol."""
    call = PATHS.get(path)
    if call is None and method.upper() in ("GET", "HEAD"):
        call = GET_ONLY_PATHS.get(path)
    return call
