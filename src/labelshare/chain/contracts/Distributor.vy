# pragma version ~=0.4.3
"""
@title labelshare Cumulative Merkle Distributor
@custom:contract-name Distributor
@license Apache-2.0
@notice Pays every account what settlement owes it, one Merkle root
        per epoch. A leaf commits to an account and its cumulative
        amount, everything it has earned up to and including the
        epoch, so only the latest root is kept and a claim pays
        `cumulative_amount - claimed[account]`: one claim collects
        any number of unclaimed epochs, and a stale proof pays
        nothing. A leaf is
        `keccak256(keccak256(abi_encode(account, cumulative_amount)))`,
        hashed twice so that no 64-byte internal node can pass for a
        leaf; internal nodes hash their two children in ascending
        order. `labelshare.ledger.merkle` builds exactly these trees.
        The owner posts roots (epochs are numbered from 1 and
        strictly increase, so an epoch is never posted twice),
        pauses claims and hands the contract over in two steps.
        Anyone may submit a claim on behalf of an account; the
        tokens always go to the account.
        The distributor works with any ERC-20 and must hold enough
        of it to cover the claims of the latest root.
"""


from ethereum.ercs import IERC20


from snekmate.auth import ownable
initializes: ownable


from snekmate.auth import ownable_2step
initializes: ownable_2step[ownable := ownable]


from snekmate.utils import pausable
initializes: pausable


# @dev Ownership is handed over in two steps; renouncing it is not
# exported because a distributor without an owner could never post
# another root.
exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    pausable.paused,
)


# @dev A proof of 32 siblings covers 2**32 accounts.
_MAX_PROOF_LENGTH: constant(uint256) = 32


# @dev Stands in `_claim_root` until the first root is posted. The
# constructor writes it (and 1 into `next_epoch`) so that the first
# `post_root` overwrites non-zero slots (5,000 gas each) rather than
# zero ones (22,100 gas each); no proof leads to it, since that
# would take a keccak256 preimage.
_NO_ROOT: constant(bytes32) = 0x0000000000000000000000000000000000000000000000000000000000000001


# @dev Returns the token that claims are paid in.
token: public(immutable(IERC20))


# @dev The root claims are checked against: the latest posted
# root, `_NO_ROOT` before the first post, or zero while claims
# are paused. Folding the pause into this one slot saves every
# claim a cold storage read of `paused`.
_claim_root: bytes32


# @dev The latest posted root while claims are paused (zero
# otherwise); `unpause` moves it back into `_claim_root`.
_held_root: bytes32


# @dev Returns the smallest epoch number the owner may
# post next: one more than the latest posted epoch, or 1
# before the first post.
next_epoch: public(uint256)


# @dev Returns the total amount paid out to an account.
claimed: public(HashMap[address, uint256])


# @dev Emitted when the owner posts the root of an epoch;
# `report_hash` is the hash of the epoch's settlement report.
event RootPosted:
    epoch: indexed(uint256)
    merkle_root: bytes32
    report_hash: bytes32


# @dev Emitted when a claim pays `amount` to `account`, whose
# total paid out becomes `cumulative_amount`.
event Claimed:
    account: indexed(address)
    amount: uint256
    cumulative_amount: uint256


@deploy
@payable
def __init__(token_: IERC20):
    """
    @dev To omit the opcodes for checking the `msg.value`
         in the creation-time EVM bytecode, the constructor
         is declared as `payable`.
    @notice The deployer becomes the owner; no root is posted yet.
            Both slots `post_root` writes start non-zero, which moves
            the cost of their first write from the first post to the
            deployment.
    @param token_ The ERC-20 token that claims are paid in.
    """
    assert token_.address != empty(address), "Distributor: token is the zero address"
    token = token_
    self._claim_root = _NO_ROOT
    self.next_epoch = 1
    ownable.__init__()
    ownable_2step.__init__()
    pausable.__init__()


@external
def post_root(epoch: uint256, merkle_root: bytes32, report_hash: bytes32):
    """
    @dev Publishes the root of `epoch`, replacing the previous one.
    @notice Only the owner may post, and `epoch` must be at least
            `next_epoch`, so an epoch is never posted twice and
            epochs only increase (gaps are allowed). Posting works
            while claims are paused.
    @param epoch The settlement epoch the root belongs to.
    @param merkle_root The 32-byte root of the epoch's tree of
           cumulative amounts; must not be zero or `_NO_ROOT`.
    @param report_hash The 32-byte hash of the epoch's report,
           recorded in the event so anyone can check the root
           against the report.
    """
    assert msg.sender == ownable.owner, "Distributor: caller is not the owner"
    assert epoch >= self.next_epoch, "Distributor: epoch is not after the latest posted"
    assert merkle_root != empty(bytes32), "Distributor: root is zero"
    assert merkle_root != _NO_ROOT, "Distributor: root is the no-root marker"
    self.next_epoch = epoch + 1
    if pausable.paused:
        self._held_root = merkle_root
    else:
        self._claim_root = merkle_root
    log RootPosted(epoch=epoch, merkle_root=merkle_root, report_hash=report_hash)


@external
def claim(account: address, cumulative_amount: uint256, proof: DynArray[bytes32, _MAX_PROOF_LENGTH]):
    """
    @dev Pays `account` whatever the latest root owes it beyond
         what it was paid already.
    @notice Anyone may submit the claim; the tokens go to `account`.
            Reverts when paused, when the proof does not lead to
            the latest root, or when nothing is left to pay.
    @param account The 20-byte address the leaf names.
    @param cumulative_amount The total the leaf grants `account`
           up to the latest epoch, in token base units.
    @param proof The sibling hashes from the leaf up to the root.
    """
    leaf: bytes32 = keccak256(keccak256(abi_encode(account, cumulative_amount)))
    if self._root_of(leaf, proof) != self._claim_root:
        # While paused `_claim_root` is zero and no proof reaches it,
        # so the pause is checked only on this failing path.
        assert not pausable.paused, "Distributor: claims are paused"
        raise "Distributor: invalid proof"
    paid: uint256 = self.claimed[account]
    assert cumulative_amount > paid, "Distributor: nothing to claim"
    self.claimed[account] = cumulative_amount
    amount: uint256 = cumulative_amount - paid
    assert extcall token.transfer(account, amount, default_return_value=True), "Distributor: token transfer failed"
    log Claimed(account=account, amount=amount, cumulative_amount=cumulative_amount)


@external
@view
def merkle_root() -> bytes32:
    """
    @dev Returns the root of the latest posted epoch, whether
         or not claims are paused.
    @return bytes32 The 32-byte root (zero before the first post).
    """
    root: bytes32 = self._claim_root
    if pausable.paused:
        root = self._held_root
    if root == _NO_ROOT:
        return empty(bytes32)
    return root


@external
def pause():
    """
    @dev Stops all claims until `unpause` is called.
    @notice Only the owner may pause.
    """
    assert msg.sender == ownable.owner, "Distributor: caller is not the owner"
    pausable._pause()
    self._held_root = self._claim_root
    self._claim_root = empty(bytes32)


@external
def unpause():
    """
    @dev Lets claims through again.
    @notice Only the owner may unpause.
    """
    assert msg.sender == ownable.owner, "Distributor: caller is not the owner"
    pausable._unpause()
    self._claim_root = self._held_root
    self._held_root = empty(bytes32)


@internal
@pure
def _root_of(leaf: bytes32, proof: DynArray[bytes32, _MAX_PROOF_LENGTH]) -> bytes32:
    """
    @dev Climbs from `leaf` to the root that `proof` implies.
    @notice Each pair is hashed in ascending byte order, so a proof
            needs no left/right flags; a node carried up without a
            sibling simply contributes no proof element.
    @param leaf The 32-byte leaf hash.
    @param proof The sibling hashes from the leaf up to the root.
    @return bytes32 The implied root.
    """
    node: bytes32 = leaf
    for sibling: bytes32 in proof:
        if convert(node, uint256) <= convert(sibling, uint256):
            node = keccak256(concat(node, sibling))
        else:
            node = keccak256(concat(sibling, node))
    return node
